using ClickHouse.Driver.ADO.Parameters;

namespace K2.Storage.ClickHouse.Http;

/// <summary>
/// Hands the driver K2's parameter values as they are: <see cref="ClickHouseParameters"/> already holds each in the
/// escaped text form a <c>param_name=</c> URL parameter carries, which the driver's own formatting would escape again.
/// </summary>
internal sealed class EscapedTextParameterFormatter : IParameterFormatter
{
    public string Format(object value, string typeName, string parameterName) => (string)value;
}
