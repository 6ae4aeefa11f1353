namespace Worker;

internal static class SampleData
{
    public static List<Invoice> Invoices() =>
    [
        new("INV-1001", "Acme Ltd", 1200.00m),
        new("INV-1002", "Globex", 450.50m),
        new("INV-1003", "Initech", 89.99m),
        new("INV-1004", "Umbrella", 3000.00m),
    ];

    public static List<Payment> Payments() =>
    [
        new("PAY-01", "INV-1001", 600.00m),
        new("PAY-02", "inv-1001", 600.00m),
        new("PAY-03", "INV-1002", 200.00m),
        new("PAY-04", "INV-1003", 100.00m),
        new("PAY-05", "INV-9999", 42.00m),
    ];
}
