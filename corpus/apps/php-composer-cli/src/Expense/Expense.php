<?php

declare(strict_types=1);

namespace App\Expense;

final class Expense
{
    public function __construct(
        public readonly \DateTimeImmutable $date,
        public readonly string $category,
        public readonly string $description,
        public readonly int $amountCents,
    ) {
    }

    public function month(): string
    {
        return $this->date->format('Y-m');
    }
}
