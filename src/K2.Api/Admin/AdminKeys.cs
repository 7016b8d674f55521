using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;

namespace K2.Api.Admin;

/// <summary>
/// The admin API keys, held only as SHA-256 digests with their names. A presented key is hashed and compared with
/// every digest in constant time (<see cref="CryptographicOperations.FixedTimeEquals"/> over 32 bytes each, no early
/// exit), so neither a key's length nor how much of it matched shows in the time an answer takes.
/// </summary>
public sealed class AdminKeys
{
    public const string HeaderName = "X-Api-Key";

    private readonly (string Name, byte[] Digest)[] _keys;

    public AdminKeys(IOptions<AdminOptions> options)
    {
        // Invalid entries are left out here; ValidateOnStart stops the process before any request is served.
        _keys = [.. AdminKeySource.Read(options.Value).Keys.Select(k => (k.Name, Digest(k.Key)))];
    }

    /// <summary>False when no key is configured: the admin actions are off.</summary>
    public bool Enabled => _keys.Length > 0;

    /// <summary>The name of the key <paramref name="presented"/> is, or null when it is none of them.</summary>
    public string? Identify(string? presented)
    {
        if (presented is null || _keys.Length == 0)
        {
            return null;
        }

        var digest = Digest(presented);
        string? match = null;
        foreach (var (name, known) in _keys)
        {
            // Every digest is compared, whichever matches.
            if (CryptographicOperations.FixedTimeEquals(digest, known))
            {
                match = name;
            }
        }

        return match;
    }

    /// <summary>The fixed-length form keys are compared in: 32 bytes whatever the key's length.</summary>
    internal static byte[] Digest(string key) => SHA256.HashData(Encoding.UTF8.GetBytes(key));
}
