using System.Runtime;
using System.Runtime.InteropServices;

namespace K2.Benchmarks.HotStore;

/// <summary>What a harness ran on, printed with its results: cores, OS, runtime, GC mode and the machine's load.</summary>
internal static class MachineReport
{
    public static void PrintHeader(string harness)
    {
        Console.WriteLine($"k2 {harness} benchmark");
        Console.WriteLine($"  machine: {Environment.ProcessorCount} cores, {RuntimeInformation.OSDescription}, {RuntimeInformation.FrameworkDescription}, " +
                          $"{(GCSettings.IsServerGC ? "server" : "workstation")} GC");
        PrintLoad("at start");
    }

    /// <summary>The 1/5/15-minute load averages: above the core count, other work shared the machine.</summary>
    public static void PrintLoad(string when)
    {
        const string LoadAverage = "/proc/loadavg";
        if (File.Exists(LoadAverage))
        {
            var fields = File.ReadAllText(LoadAverage).Split(' ');
            Console.WriteLine($"  load average {when}: {string.Join(" ", fields.Take(3))}");
        }
    }
}
