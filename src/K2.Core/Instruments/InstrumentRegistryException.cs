namespace K2.Core.Instruments;

/// <summary>The instrument registry file is invalid. The message names the file, line and field at fault.</summary>
public sealed class InstrumentRegistryException(string message) : Exception(message);
