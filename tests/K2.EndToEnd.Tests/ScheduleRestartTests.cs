using System.Globalization;
using System.Text.RegularExpressions;
using K2.Storage.Iceberg.Metadata;
using K2.Testing;

namespace K2.EndToEnd.Tests;

/// <summary>
/// The schedules survive a stop: K2 is stopped and started again on the same data while an offload falls due. The
/// restarted process reads the stored reminder rows before any schedule grain registers anything (it registers
/// nothing: the stored reminders already fire as configured), and the offload that fell due while it was down runs
/// once, soon after the start: not twice, and not only at the next due time. The offload is due every 12 s here, so
/// the test takes under a minute; no exchange is connected.
/// </summary>
public sealed partial class ScheduleRestartTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Period = TimeSpan.FromSeconds(12);

    private static readonly Dictionary<string, string> Environment = new()
    {
        ["K2__Schedules__Offload__Period"] = "00:00:12",
    };

    [Fact]
    public async Task An_offload_due_while_K2_was_down_runs_once_soon_after_the_restart_from_the_stored_reminders()
    {
        var ct = TestContext.Current.CancellationToken;
        using var data = new TempDirectory("k2-schedules");

        string[] firstLog;
        await using (var first = K2Process.Start(data.Path, [], Environment))
        {
            try
            {
                await first.WaitUntilReadyAsync(TimeSpan.FromSeconds(60), ct);
                await Eventually.TrueAsync(() => Runs(Lines(first)).Any(r => r.Succeeded), Period + TimeSpan.FromSeconds(60),
                    "the first K2 did not finish an offload", ct);
                (await first.StopAsync(TimeSpan.FromSeconds(60), ct)).ShouldBe(0);
            }
            finally
            {
                output.WriteLine(first.Output);
            }

            firstLog = Lines(first);
        }

        // Stay down until a due time has passed, then start again just after it, so the next due time is a period away.
        var missed = NextDueTime(DateTimeOffset.UtcNow);
        await Task.Delay(missed + TimeSpan.FromMilliseconds(300) - DateTimeOffset.UtcNow, ct);

        string[] secondLog;
        await using (var second = K2Process.Start(data.Path, [], Environment))
        {
            try
            {
                await second.WaitUntilReadyAsync(TimeSpan.FromSeconds(60), ct);
                await Eventually.TrueAsync(() => Runs(Lines(second)).Count(r => r.Succeeded) >= 2, Period + TimeSpan.FromSeconds(60),
                    "the restarted K2 did not run the catch-up and the next offload", ct);
                (await second.StopAsync(TimeSpan.FromSeconds(60), ct)).ShouldBe(0);
            }
            finally
            {
                output.WriteLine(second.Output);
            }

            secondLog = Lines(second);
        }

        firstLog.Count(l => l.Contains("Reminder offload registered", StringComparison.Ordinal)).ShouldBe(1);
        firstLog.Count(l => l.Contains("Reminder maintenance registered", StringComparison.Ordinal)).ShouldBe(1);

        var rowsRead = Array.FindIndex(secondLog, l => l.Contains("Read 2 reminder rows at start", StringComparison.Ordinal));
        rowsRead.ShouldBeGreaterThanOrEqualTo(0, "the restarted K2 did not log reading the stored reminder rows");
        secondLog[rowsRead].ShouldContain("offload/0:offload");
        secondLog[rowsRead].ShouldContain("maintenance/0:maintenance");
        var reminderLines = secondLog.Select((line, index) => (Match: ReminderLinePattern().Match(line), Index: index)).Where(l => l.Match.Success).ToArray();
        reminderLines.Select(l => l.Match.Value).ShouldBe(["Reminder offload kept as stored", "Reminder maintenance kept as stored"]);
        reminderLines.ShouldAllBe(l => l.Index > rowsRead, "a schedule grain looked at its reminder before the stored rows were read");

        var started = Runs(secondLog).Where(r => !r.Succeeded).ToArray();
        started.Select(r => (r.DueTime, r.CatchUp)).ShouldBe([(missed, true), (missed + Period, false)],
            "the offload due while K2 was down did not run exactly once, as the catch-up, before the cadence resumed");
        started[0].LoggedAt.ShouldBeLessThan(missed + Period, "the catch-up waited for the next due time");
        secondLog.ShouldContain(l => l.Contains($"Schedule offload missed {missed:O} while K2 was down", StringComparison.Ordinal));

        // The run log agrees: since the missed due time, each cold table was offloaded twice (the catch-up, the next).
        using var state = new SqliteDatabaseFile(Path.Combine(data.Path, "state", "k2.db"));
        await using var connection = await state.DataSource.OpenConnectionAsync(ct);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT table_name, COUNT(*) FROM offload_runs WHERE started_at_us >= @since GROUP BY table_name ORDER BY table_name";
        var since = command.CreateParameter();
        since.ParameterName = "since";
        since.Value = (missed - DateTimeOffset.UnixEpoch).Ticks / TimeSpan.TicksPerMicrosecond;
        command.Parameters.Add(since);
        var offloads = new List<(string, long)>();
        await using (var reader = await command.ExecuteReaderAsync(ct))
        {
            while (await reader.ReadAsync(ct))
            {
                offloads.Add((reader.GetString(0), reader.GetInt64(1)));
            }
        }

        offloads.ShouldBe(ColdTables.All.Select(t => (t.Name, 2L)).OrderBy(t => t.Name, StringComparer.Ordinal));
    }

    private static DateTimeOffset NextDueTime(DateTimeOffset time) =>
        DateTimeOffset.UnixEpoch + TimeSpan.FromTicks(((time - DateTimeOffset.UnixEpoch).Ticks / Period.Ticks + 1) * Period.Ticks);

    private static string[] Lines(K2Process k2) => k2.Output.Split(System.Environment.NewLine);

    /// <summary>The offload's "started" and "succeeded" lines, with the due time each stands for.</summary>
    private static List<OffloadLine> Runs(IEnumerable<string> lines) =>
    [
        .. lines.Select(l => (Line: l, Match: OffloadLinePattern().Match(l))).Where(l => l.Match.Success).Select(l => new OffloadLine(
            DateTimeOffset.Parse(l.Match.Groups["at"].Value, CultureInfo.InvariantCulture),
            DateTimeOffset.Parse(l.Match.Groups["due"].Value, CultureInfo.InvariantCulture),
            l.Match.Groups["catchUp"].Value == "True",
            l.Match.Groups["succeeded"].Success)),
    ];

    // e.g. "2026-12-05T19:00:12.034Z info: K2.Silo.Schedules.ScheduleRunner[1101] Schedule offload started for 2026-12-05T19:00:12.0000000+00:00 (catch-up True)"
    [GeneratedRegex(@"^(?<at>\S+Z) .*Schedule offload (?:started for (?<due>\S+) \(catch-up (?<catchUp>True|False)\)|for (?<due>\S+) (?<succeeded>succeeded))")]
    private static partial Regex OffloadLinePattern();

    [GeneratedRegex(@"Reminder (offload|maintenance) (kept as stored|registered)")]
    private static partial Regex ReminderLinePattern();

    private sealed record OffloadLine(DateTimeOffset LoggedAt, DateTimeOffset DueTime, bool CatchUp, bool Succeeded);
}
