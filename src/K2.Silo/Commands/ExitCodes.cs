namespace K2.Silo.Commands;

internal static class ExitCodes
{
    public const int Success = 0;

    /// <summary>The process could not start: storage unavailable, data directory in use, and the like.</summary>
    public const int StartFailed = 1;

    /// <summary>Configuration or the instrument registry is invalid.</summary>
    public const int BadConfiguration = 2;
}
