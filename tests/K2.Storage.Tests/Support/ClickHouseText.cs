using System.Text;
using K2.Storage.ClickHouse;

namespace K2.Storage.Tests.Support;

internal static class ClickHouseText
{
    /// <summary>Runs a query and returns its TabSeparated result without the final newline.</summary>
    public static Task<string> QueryTextAsync(this IClickHouseClient client, string sql, CancellationToken cancellationToken, ClickHouseParameters? parameters = null) =>
        client.QueryAsync(sql, parameters, ClickHouseFormats.TabSeparated, static data => Encoding.UTF8.GetString(data).TrimEnd('\n'), cancellationToken);

    /// <summary>As <see cref="QueryTextAsync"/> but unescaped (TabSeparatedRaw), for values that contain quotes.</summary>
    public static Task<string> QueryRawTextAsync(this IClickHouseClient client, string sql, CancellationToken cancellationToken, ClickHouseParameters? parameters = null) =>
        client.QueryAsync(sql, parameters, "TabSeparatedRaw", static data => Encoding.UTF8.GetString(data).TrimEnd('\n'), cancellationToken);
}
