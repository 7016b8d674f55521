namespace K2.Storage.ObjectStores;

/// <summary>What a store knows about one object without reading it: maintenance compares sizes and ages of files.</summary>
/// <param name="Key">The key relative to the warehouse root.</param>
/// <param name="Size">Length in bytes.</param>
/// <param name="LastModified">When the object was last written, as the store records it (S3: second precision).</param>
public sealed record ObjectInfo(string Key, long Size, DateTimeOffset LastModified);
