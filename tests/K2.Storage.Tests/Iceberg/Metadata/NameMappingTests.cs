using K2.Core;
using K2.Storage.Iceberg.Metadata;

namespace K2.Storage.Tests.Iceberg.Metadata;

public sealed class NameMappingTests
{
    [Fact]
    public void Every_column_maps_its_name_to_its_id_and_a_list_maps_its_element()
    {
        var mapping = NameMapping.ToJson(ColdTables.BronzeTrades(Exchange.Binance).Schema);

        mapping.ShouldBe(
            """[{"field-id":1,"names":["receipt_ts"]},{"field-id":2,"names":["source"]},{"field-id":3,"names":["connection_id"]},""" +
            """{"field-id":4,"names":["frame_seq"]},{"field-id":5,"names":["trade_index"]},{"field-id":6,"names":["raw_symbol"]},""" +
            """{"field-id":7,"names":["symbol"]},{"field-id":8,"names":["trade_id"]},{"field-id":9,"names":["price"]},""" +
            """{"field-id":10,"names":["quantity"]},{"field-id":11,"names":["side"]},{"field-id":12,"names":["exchange_ts"]},""" +
            """{"field-id":13,"names":["raw_frame"]},{"field-id":14,"names":["reject_reason"]},""" +
            """{"field-id":15,"names":["validation_errors"],"fields":[{"field-id":17,"names":["element"]}]},""" +
            """{"field-id":16,"names":["ingest_ts"]}]""");
    }
}
