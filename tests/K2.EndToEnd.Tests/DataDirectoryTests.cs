using K2.EndToEnd.Tests.Support;
using K2.Testing;

namespace K2.EndToEnd.Tests;

public sealed class DataDirectoryTests(ITestOutputHelper output)
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
}
