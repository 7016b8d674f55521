using System.CommandLine;
using K2.Silo.Commands;

// Signals are left to the host (ProcessTerminationTimeout = null): Ctrl-C and SIGTERM start a graceful shutdown
// that drains sessions, grains and writers, rather than System.CommandLine's forced exit after a short timeout.
return await K2Command.Create().Parse(args).InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = null });
