using K2.Silo.Commands;
using K2.Testing;

namespace K2.Silo.Tests.Commands;

public sealed class RunProgressTests
{
    [Fact]
    public void Finished_items_go_to_the_output_at_once_and_a_status_line_to_the_error_every_interval_until_all_are_done()
    {
        var time = new ManualTimeProvider();
        var output = new StringWriter();
        var error = new StringWriter();
        using var progress = new RunProgress<string>("offload", 3, "tables", t => $"{t} done", output, error, time, TimeSpan.FromSeconds(5));

        time.Advance(TimeSpan.FromSeconds(4));
        var beforeFirstInterval = error.ToString();
        progress.Report("bronze_trades_kraken");
        time.Advance(TimeSpan.FromSeconds(1));
        progress.Report("silver_trades");
        time.Advance(TimeSpan.FromSeconds(60));
        var whileOneIsLeft = error.ToString();
        progress.Report("gold_ohlcv_1m");
        time.Advance(TimeSpan.FromSeconds(10));

        beforeFirstInterval.ShouldBeEmpty();
        output.ToString().ShouldBe("bronze_trades_kraken done\nsilver_trades done\ngold_ohlcv_1m done\n");
        var status = whileOneIsLeft.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        status[0].ShouldBe("k2 offload: 1 of 3 tables done, 0:05 elapsed");
        status[1].ShouldBe("k2 offload: 2 of 3 tables done, 0:10 elapsed");
        status[^1].ShouldBe("k2 offload: 2 of 3 tables done, 1:05 elapsed");
        error.ToString().ShouldBe(whileOneIsLeft); // nothing more once all are done
    }

    [Fact]
    public void Reports_from_many_threads_each_land_on_a_line_of_their_own()
    {
        var output = new StringWriter();
        using var progress = new RunProgress<int>("offload", 1_000, "tables", i => $"table {i}", output, TextWriter.Null, new ManualTimeProvider(), TimeSpan.FromSeconds(5));

        Parallel.For(0, 1_000, progress.Report);

        output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries).Order().ShouldBe(Enumerable.Range(0, 1_000).Select(i => $"table {i}").Order());
    }

    [Fact]
    public void After_dispose_no_status_line_is_written_and_a_closed_stderr_does_not_stop_the_run()
    {
        var time = new ManualTimeProvider();
        var closed = new StringWriter();
        closed.Dispose(); // writing to it throws, as a closed pipe does
        var progress = new RunProgress<string>("offload", 2, "tables", t => t, TextWriter.Null, closed, time, TimeSpan.FromSeconds(5));

        Should.NotThrow(() => time.Advance(TimeSpan.FromSeconds(5)));
        var error = new StringWriter();
        var disposed = new RunProgress<string>("offload", 2, "tables", t => t, TextWriter.Null, error, time, TimeSpan.FromSeconds(5));
        disposed.Dispose();
        progress.Dispose();
        time.Advance(TimeSpan.FromSeconds(30));

        error.ToString().ShouldBeEmpty();
    }
}
