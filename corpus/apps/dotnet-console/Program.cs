using System.Diagnostics;
using Worker;

// One-shot job: reconciles a batch of payments against open invoices,
// prints what it did and exits. Meant to be run by a scheduler.
var batchSize = int.TryParse(Environment.GetEnvironmentVariable("WORKER_BATCH_SIZE"), out var n) && n > 0
    ? n
    : 50;

var stopwatch = Stopwatch.StartNew();
var invoices = SampleData.Invoices();
var payments = SampleData.Payments();

var reconciler = new Reconciler(invoices);
var processed = 0;
foreach (var chunk in payments.Chunk(batchSize))
{
    foreach (var payment in chunk)
    {
        reconciler.Apply(payment);
        processed++;
    }
}

Console.WriteLine($"worker: processed {processed} payments in batches of {batchSize}");
foreach (var invoice in reconciler.Invoices.OrderBy(i => i.Number))
{
    Console.WriteLine($"  {invoice.Number,-8} {invoice.Customer,-12} due {invoice.Amount,8:F2}  paid {invoice.Paid,8:F2}  {invoice.State}");
}

if (reconciler.Unmatched.Count > 0)
{
    Console.WriteLine($"worker: {reconciler.Unmatched.Count} payment(s) matched no invoice: "
        + string.Join(", ", reconciler.Unmatched.Select(p => p.Reference)));
}

Console.WriteLine($"worker: done in {stopwatch.ElapsedMilliseconds} ms");
return 0;
