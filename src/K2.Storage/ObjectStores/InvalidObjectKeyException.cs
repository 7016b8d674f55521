namespace K2.Storage.ObjectStores;

/// <summary>An object key or prefix that breaks a rule of <see cref="ObjectKey"/>; the message names the key and the rule.</summary>
public sealed class InvalidObjectKeyException(string key, string reason)
    : ArgumentException($"Invalid object key '{key}': {reason}.")
{
    public string Key { get; } = key;
}
