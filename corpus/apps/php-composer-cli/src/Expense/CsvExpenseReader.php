<?php

declare(strict_types=1);

namespace App\Expense;

final class CsvExpenseReader
{
    private const COLUMNS = ['date', 'category', 'description', 'amount'];

    /**
     * @return list<Expense>
     */
    public function read(string $path): array
    {
        if (!is_file($path) || !is_readable($path)) {
            throw new \RuntimeException(sprintf('Cannot read "%s".', $path));
        }

        $file = new \SplFileObject($path);
        $file->setFlags(\SplFileObject::READ_CSV | \SplFileObject::SKIP_EMPTY | \SplFileObject::READ_AHEAD);

        $expenses = [];
        $header = null;
        foreach ($file as $lineNo => $row) {
            if ($header === null) {
                $header = $row;
                if ($header !== self::COLUMNS) {
                    throw new \RuntimeException(sprintf('Unexpected header in "%s": %s', $path, implode(',', $row)));
                }
                continue;
            }
            $expenses[] = $this->toExpense(array_combine(self::COLUMNS, $row), $lineNo + 1);
        }

        return $expenses;
    }

    /**
     * @param array<string, string> $row
     */
    private function toExpense(array $row, int $line): Expense
    {
        $date = \DateTimeImmutable::createFromFormat('!Y-m-d', $row['date']);
        if ($date === false || !preg_match('/^\d+(\.\d{1,2})?$/', $row['amount'])) {
            throw new \RuntimeException(sprintf('Malformed expense on line %d.', $line));
        }

        return new Expense($date, $row['category'], $row['description'], (int) round((float) $row['amount'] * 100));
    }
}
