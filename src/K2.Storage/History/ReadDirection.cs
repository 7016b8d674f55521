namespace K2.Storage.History;

/// <summary>The order rows are served in: by exchange time (bucket start for candles), then trade id.</summary>
public enum ReadDirection
{
    OldestFirst,
    NewestFirst,
}
