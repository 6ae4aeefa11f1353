namespace Worker;

public sealed record Payment(string Reference, string InvoiceNumber, decimal Amount);

public sealed class Invoice(string number, string customer, decimal amount)
{
    public string Number { get; } = number;
    public string Customer { get; } = customer;
    public decimal Amount { get; } = amount;
    public decimal Paid { get; private set; }

    public string State => Paid switch
    {
        0m => "open",
        _ when Paid < Amount => "partial",
        _ when Paid == Amount => "settled",
        _ => "overpaid",
    };

    public void Record(decimal amount) => Paid += amount;
}

public sealed class Reconciler
{
    private readonly Dictionary<string, Invoice> _byNumber;
    private readonly List<Payment> _unmatched = [];

    public Reconciler(IEnumerable<Invoice> invoices)
    {
        _byNumber = invoices.ToDictionary(i => i.Number, StringComparer.OrdinalIgnoreCase);
    }

    public IReadOnlyCollection<Invoice> Invoices => _byNumber.Values;

    public IReadOnlyList<Payment> Unmatched => _unmatched;

    public void Apply(Payment payment)
    {
        if (_byNumber.TryGetValue(payment.InvoiceNumber, out var invoice))
        {
            invoice.Record(payment.Amount);
        }
        else
        {
            _unmatched.Add(payment);
        }
    }
}
