using System.CommandLine;
using K2.Storage.ClickHouse.Embedded;
using K2.Testing;
using Microsoft.Extensions.Logging;

// The tests' ClickHouse (ChdbHttpEndpoint over chDB) as a process of its own, so cluster tests can kill, hang and
// restart it. SIGTERM and Ctrl-C cancel the run; the termination timeout leaves chDB its close time (it waits up to
// 30 s for running statements) before System.CommandLine forces the exit.
var data = new Option<DirectoryInfo>("--data")
{
    Required = true,
    Description = "chDB's data path; a restart on the same path finds the tables and rows written before.",
};
var port = new Option<int>("--port")
{
    Required = true,
    Description = "Loopback port to listen on; a restart passes the same one, so clients keep their address.",
};
var user = new Option<string>("--user") { DefaultValueFactory = _ => ChdbHttpEndpoint.DefaultUser, Description = "User clients must send." };
var password = new Option<string>("--password") { DefaultValueFactory = _ => ChdbHttpEndpoint.DefaultPassword, Description = "Password clients must send." };
var root = new RootCommand("ClickHouse's HTTP interface on 127.0.0.1 over an embedded ClickHouse (chDB), for K2's tests.")
{
    data, port, user, password,
};
root.SetAction((result, cancellationToken) => ServeAsync(
    result.GetValue(data)!, result.GetValue(port), result.GetValue(user)!, result.GetValue(password)!,
    result.InvocationConfiguration.Output, cancellationToken));
return await root.Parse(args).InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = TimeSpan.FromSeconds(45) });

// Serves until cancelled, then stops listening and closes chDB. The ready line is what ClickHouseEndpointProcess waits for.
static async Task<int> ServeAsync(
    DirectoryInfo data, int port, string user, string password, TextWriter output, CancellationToken cancellationToken)
{
    using var logging = LoggerFactory.Create(builder => builder.AddSimpleConsole(console => console.SingleLine = true));
    using var clickHouse = EmbeddedClickHouse.Open(
        new EmbeddedClickHouseOptions { DataPath = data.FullName }, logging.CreateLogger<EmbeddedClickHouse>());
    await using var endpoint = await ChdbHttpEndpoint.StartAsync(clickHouse, cancellationToken, user, password, port);
    await output.WriteLineAsync($"listening on {endpoint.Url}");
    try
    {
        await Task.Delay(Timeout.Infinite, cancellationToken);
    }
    catch (OperationCanceledException)
    {
        // SIGTERM or Ctrl-C: the endpoint and then chDB close as the usings end.
    }

    return 0;
}
