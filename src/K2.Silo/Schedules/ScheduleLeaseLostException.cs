namespace K2.Silo.Schedules;

/// <summary>A run stopped because it lost its schedule's lease: another run may be working in its place.</summary>
public sealed class ScheduleLeaseLostException(string message) : Exception(message);
