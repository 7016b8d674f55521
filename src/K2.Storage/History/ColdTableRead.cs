namespace K2.Storage.History;

/// <summary>
/// A cold table as one read sees it: the table function (its values are the caller's query parameters) and the
/// metadata file it is pinned to, which names the snapshot.
/// </summary>
public sealed record ColdTableRead(string Function, string MetadataLocation);
