using System.Text.Json;
using PayMyInvoice.Contracts.Events;

namespace PayMyInvoice.UnitTests;

public sealed class InvoiceEventMessagesTests
{
    private const string Event = """{"eventId":"e1:InvoiceIssued","eventType":"InvoiceIssued","eventVersion":VERSION,"occurredAt":"2026-11-27T10:00:00+00:00","invoice":{"invoiceId":"inv_1","userId":"u","payerEmail":"p@example.com","description":"d","amount":100,"currency":"USD","dueDate":"2026-12-31","status":"open","version":1}}""";

    [Fact]
    public void An_event_of_the_current_version_is_read_raw_or_inside_SNS_envelope()
    {
        var raw = Event.Replace("VERSION", "1", StringComparison.Ordinal);
        Assert.Equal("e1:InvoiceIssued", InvoiceEventMessages.Read(raw).EventId);
        var envelope = JsonSerializer.Serialize(new Dictionary<string, string> { ["Type"] = "Notification", ["Message"] = raw });
        Assert.Equal("inv_1", InvoiceEventMessages.Read(envelope).Invoice.InvoiceId);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("2")]
    [InlineData("-1")]
    public void An_event_of_another_version_is_refused_so_it_is_dead_lettered_not_misread(string version) =>
        Assert.Throws<JsonException>(() => InvoiceEventMessages.Read(Event.Replace("VERSION", version, StringComparison.Ordinal)));

    [Theory]
    [InlineData("[]")]
    [InlineData("42")]
    [InlineData("\"text\"")]
    [InlineData("null")]
    public void A_body_that_is_not_a_JSON_object_is_bad_JSON(string body) =>
        Assert.Throws<JsonException>(() => InvoiceEventMessages.Read(body));
}
