<?php

declare(strict_types=1);

namespace App\Expense;

final class Summary
{
    /** @var array<string, array{count: int, cents: int}> */
    private array $byCategory = [];

    private int $totalCents = 0;

    /**
     * @param iterable<Expense> $expenses
     */
    public static function of(iterable $expenses, ?string $month = null): self
    {
        $summary = new self();
        foreach ($expenses as $expense) {
            if ($month !== null && $expense->month() !== $month) {
                continue;
            }
            $summary->byCategory[$expense->category] ??= ['count' => 0, 'cents' => 0];
            $summary->byCategory[$expense->category]['count']++;
            $summary->byCategory[$expense->category]['cents'] += $expense->amountCents;
            $summary->totalCents += $expense->amountCents;
        }
        uasort($summary->byCategory, static fn (array $a, array $b): int => $b['cents'] <=> $a['cents']);

        return $summary;
    }

    /**
     * @return array<string, array{count: int, cents: int}>
     */
    public function byCategory(): array
    {
        return $this->byCategory;
    }

    public function totalCents(): int
    {
        return $this->totalCents;
    }

    public function count(): int
    {
        return array_sum(array_column($this->byCategory, 'count'));
    }
}
