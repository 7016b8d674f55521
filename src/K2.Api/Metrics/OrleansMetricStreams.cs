using OpenTelemetry.Metrics;

namespace K2.Api.Metrics;

/// <summary>
/// The Orleans instruments (meter "Microsoft.Orleans") an operator acts on, with the descriptions Orleans does not give
/// them; every other Orleans instrument is dropped. Among the dropped: latency histograms in milliseconds and memory
/// gauges in megabytes (a view cannot rescale them to seconds and bytes), message-size histograms labelled in camelCase
/// per remote silo, and the request latency Orleans pre-aggregates into counters that are not a Prometheus histogram.
/// </summary>
internal static class OrleansMetricStreams
{
    public const string MeterName = "Microsoft.Orleans";

    private static readonly Dictionary<string, string> Descriptions = new(StringComparer.Ordinal)
    {
        ["orleans-grains"] = "Grain activations on this silo, by grain type.",
        ["orleans-catalog-activations"] = "Activations in this silo's catalog.",
        ["orleans-catalog-activation-failed-to-activate"] = "Grain activations that failed to start.",
        ["orleans-gateway-connected-clients"] = "Cluster clients (such as standalone API processes) connected to this silo's gateway.",
        ["orleans-client-connected-gateways"] = "Silo gateways this cluster client is connected to.",
        ["orleans-messaging-rejected"] = "Messages this silo rejected.",
        ["orleans-messaging-expired"] = "Messages dropped because they expired before delivery.",
        ["orleans-messaging-sent-dropped"] = "Messages dropped before they could be sent.",
        ["orleans-messaging-sent-failed"] = "Messages whose sending failed.",
        ["orleans-messaging-pings-reply-missed"] = "Membership probes to other silos that got no answer in time.",
        ["orleans-app-requests-timedout"] = "Grain calls that timed out, by grain type.",
        ["orleans-app-requests-canceled"] = "Grain calls that were canceled, by grain type.",
        ["orleans-scheduler-long-running-turns"] = "Grain turns that ran longer than Orleans' turn warning length.",
        ["orleans-watchdog-health-checks-failed"] = "Failed runs of the silo watchdog's health checks.",
        ["orleans-reminders-active"] = "Reminders this silo is responsible for.",
        ["orleans-reminders-ticks-delivered"] = "Reminder ticks delivered to grains.",
    };

    public static MetricStreamConfiguration Stream(string instrumentName) =>
        Descriptions.TryGetValue(instrumentName, out var description)
            ? new MetricStreamConfiguration { Description = description }
            : MetricStreamConfiguration.Drop;
}
