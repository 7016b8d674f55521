using K2.EndToEnd.Tests.Support;
using K2.Testing;

namespace K2.EndToEnd.Tests;

/// <summary>K2 refuses to start, with exit code 1 and a message that says what to do, when its hot store cannot open.</summary>
public sealed class StartupFailureTests(ITestOutputHelper output)
{
    [Fact]
    public async Task A_second_k2_on_a_data_directory_in_use_exits_1_and_says_why()
    {
        var ct = TestContext.Current.CancellationToken;
        using var data = new TempDirectory("k2-locked");
        await using var first = K2Process.Start(data.Path, ["--simulate"]);
        await first.WaitUntilReadyAsync(TimeSpan.FromSeconds(60), ct);

        await using var second = K2Process.Start(data.Path, ["--simulate"]);
        var exitCode = await second.WaitForExitAsync(TimeSpan.FromSeconds(60), ct);

        output.WriteLine(second.Output);
        exitCode.ShouldBe(1);
        second.Output.ShouldContain("only one process can use it at a time");
        (await first.StopAsync(TimeSpan.FromSeconds(60), ct)).ShouldBe(0, "the first k2 is unaffected");
    }

    [Fact]
    public async Task A_missing_chdb_library_exits_1_and_says_how_to_point_k2_at_one()
    {
        var ct = TestContext.Current.CancellationToken;
        using var data = new TempDirectory("k2-nolib");
        var missing = Path.Combine(data.Path, "nowhere", "libchdb.so");

        await using var k2 = K2Process.Start(data.Path, ["--simulate"], new Dictionary<string, string>
        {
            ["K2__Storage__Embedded__LibraryPath"] = missing,
        });
        var exitCode = await k2.WaitForExitAsync(TimeSpan.FromSeconds(60), ct);

        output.WriteLine(k2.Output);
        exitCode.ShouldBe(1);
        k2.Output.ShouldContain($"Looked in: {missing}");
        k2.Output.ShouldContain("K2__Storage__Embedded__LibraryPath");
    }
}
