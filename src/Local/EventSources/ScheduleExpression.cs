using System.Globalization;
using System.Text.RegularExpressions;
using Cronos;

namespace PayMyInvoice.Local.EventSources;

/// <summary>
/// An EventBridge schedule expression, as serverless.yml's <c>schedule</c> events write them: <c>rate(5 minutes)</c>
/// or <c>cron(minutes hours day-of-month month day-of-week year)</c> in UTC. AWS's cron has a year field, <c>?</c>,
/// and numbers day-of-week 1-7 from Sunday; Cronos reads the rest once those are translated.
/// </summary>
public sealed partial class ScheduleExpression
{
    private readonly TimeSpan? _rate;
    private readonly CronExpression? _cron;

    private ScheduleExpression(string text, TimeSpan? rate, CronExpression? cron)
    {
        Text = text;
        _rate = rate;
        _cron = cron;
    }

    public string Text { get; }

    public static ScheduleExpression Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (Rate().Match(text.Trim()) is { Success: true } rate)
        {
            var count = int.Parse(rate.Groups[1].Value, CultureInfo.InvariantCulture);
            var unit = rate.Groups[2].Value.TrimEnd('s');
            var period = unit switch
            {
                "minute" => TimeSpan.FromMinutes(count),
                "hour" => TimeSpan.FromHours(count),
                "day" => TimeSpan.FromDays(count),
                _ => throw new FormatException($"'{text}': a rate is in minutes, hours or days."),
            };
            return count > 0 ? new ScheduleExpression(text, period, null) : throw new FormatException($"'{text}': a rate must be positive.");
        }

        if (Cron().Match(text.Trim()) is { Success: true } cron)
        {
            var fields = cron.Groups[1].Value.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length != 6 || fields[5] is not ("*" or "?"))
            {
                throw new FormatException($"'{text}': the local stack runs cron(minutes hours day-of-month month day-of-week *) schedules.");
            }

            var dayOfWeek = DayNumber().Replace(fields[4], m => (int.Parse(m.Value, CultureInfo.InvariantCulture) - 1).ToString(CultureInfo.InvariantCulture));
            var standard = string.Join(' ', fields[0], fields[1], fields[2].Replace('?', '*'), fields[3], dayOfWeek.Replace('?', '*'));
            return new ScheduleExpression(text, null, CronExpression.Parse(standard));
        }

        throw new FormatException($"'{text}' is not an EventBridge schedule expression (rate(...) or cron(...)).");
    }

    /// <summary>The first time after <paramref name="after"/> this schedule fires. A rate counts from when the rule was created (here: <paramref name="since"/>).</summary>
    public DateTimeOffset Next(DateTimeOffset after, DateTimeOffset since)
    {
        if (_rate is { } rate)
        {
            var periods = Math.Floor((after - since) / rate) + 1;
            return since + (rate * periods);
        }

        return _cron!.GetNextOccurrence(after, TimeZoneInfo.Utc) ?? DateTimeOffset.MaxValue;
    }

    [GeneratedRegex(@"^rate\((\d+) (minutes?|hours?|days?)\)$")]
    private static partial Regex Rate();

    [GeneratedRegex(@"^cron\((.+)\)$")]
    private static partial Regex Cron();

    [GeneratedRegex(@"(?<![A-Za-z#/])[1-7](?![0-9])")]
    private static partial Regex DayNumber();
}
