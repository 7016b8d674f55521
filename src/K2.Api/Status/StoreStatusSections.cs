namespace K2.Api.Status;

/// <summary>The status sections read from the stores, each behind its own <see cref="StatusSectionCache{T}"/>, so one store being down leaves the other's section intact.</summary>
internal sealed class StoreStatusSections(HotTableSizes hot, ColdTableStatuses cold, TimeProvider time)
{
    public StatusSectionCache<IReadOnlyList<HotTableSize>> HotTables { get; } = new(hot.ReadAsync, time);

    public StatusSectionCache<IReadOnlyList<ColdTableStatus>> ColdTables { get; } = new(cold.ReadAsync, time);
}
