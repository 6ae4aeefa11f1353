<?php

declare(strict_types=1);

namespace App\Command;

use App\Expense\CsvExpenseReader;
use App\Expense\Summary;
use Symfony\Component\Console\Attribute\AsCommand;
use Symfony\Component\Console\Command\Command;
use Symfony\Component\Console\Helper\TableSeparator;
use Symfony\Component\Console\Input\InputInterface;
use Symfony\Component\Console\Input\InputOption;
use Symfony\Component\Console\Output\OutputInterface;
use Symfony\Component\Console\Style\SymfonyStyle;

use function Symfony\Component\String\u;

#[AsCommand(name: 'app:report', description: 'Totals expenses per category')]
final class ReportCommand extends Command
{
    public function __construct(private readonly string $defaultFile)
    {
        parent::__construct();
    }

    protected function configure(): void
    {
        $this
            ->addOption('file', 'f', InputOption::VALUE_REQUIRED, 'CSV export to read', $this->defaultFile)
            ->addOption('month', 'm', InputOption::VALUE_REQUIRED, 'Only count this month (YYYY-MM)')
            ->addOption('json', null, InputOption::VALUE_NONE, 'Print JSON instead of a table');
    }

    protected function execute(InputInterface $input, OutputInterface $output): int
    {
        $io = new SymfonyStyle($input, $output);
        $month = $input->getOption('month');
        if ($month !== null && !preg_match('/^\d{4}-(0[1-9]|1[0-2])$/', $month)) {
            $io->error('--month must look like 2024-02.');

            return Command::INVALID;
        }

        try {
            $expenses = (new CsvExpenseReader())->read($input->getOption('file'));
        } catch (\RuntimeException $e) {
            $io->error($e->getMessage());

            return Command::FAILURE;
        }

        $summary = Summary::of($expenses, $month);

        if ($input->getOption('json')) {
            $output->writeln(json_encode([
                'month' => $month,
                'total' => $summary->totalCents() / 100,
                'categories' => array_map(static fn (array $c): float => $c['cents'] / 100, $summary->byCategory()),
            ], JSON_THROW_ON_ERROR | JSON_PRETTY_PRINT));

            return Command::SUCCESS;
        }

        $io->title(sprintf('Expenses %s', $month ?? 'all months'));
        $rows = [];
        foreach ($summary->byCategory() as $category => $line) {
            $rows[] = [u($category)->title()->toString(), $line['count'], self::money($line['cents'])];
        }
        $rows[] = new TableSeparator();
        $rows[] = ['<info>Total</info>', $summary->count(), '<info>' . self::money($summary->totalCents()) . '</info>'];
        $io->table(['Category', 'Items', 'Amount'], $rows);

        return Command::SUCCESS;
    }

    private static function money(int $cents): string
    {
        return number_format($cents / 100, 2, '.', ',');
    }
}
