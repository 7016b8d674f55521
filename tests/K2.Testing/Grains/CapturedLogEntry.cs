using Microsoft.Extensions.Logging;

namespace K2.Testing.Grains;

public sealed record CapturedLogEntry(string Category, LogLevel Level, EventId EventId, string Message, Exception? Exception);
