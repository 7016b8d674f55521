namespace K2.Api.Admin;

/// <summary>One admin API key and the name logs, metrics and rate-limit partitions show instead of it.</summary>
public sealed class AdminKeyOptions
{
    public string Name { get; set; } = "";

    public string Key { get; set; } = "";
}
