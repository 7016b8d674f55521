namespace K2.Api.Admin;

/// <summary>
/// The API keys that may call the admin actions (<c>K2:Api:Admin</c>): keys listed in configuration, a secret file of
/// keys, or both. With none, the admin actions are off and answer 404. Keys are read once at start; rotating one
/// means a restart.
/// </summary>
public sealed class AdminOptions
{
    public const string Section = "K2:Api:Admin";

    /// <summary>Named keys, e.g. from <c>K2__Api__Admin__Keys__0__Name</c> and <c>K2__Api__Admin__Keys__0__Key</c>.</summary>
    public List<AdminKeyOptions> Keys { get; set; } = [];

    /// <summary>
    /// A secret file (a mounted secret, say) with one key per line, as <c>name:key</c> or a bare key (named after its
    /// line, <c>line3</c>); blank lines and lines starting with <c>#</c> are skipped.
    /// </summary>
    public string? KeysFile { get; set; }
}
