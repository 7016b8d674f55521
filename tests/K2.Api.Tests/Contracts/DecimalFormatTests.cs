using System.Globalization;
using System.Numerics;
using K2.Api.Contracts;

namespace K2.Api.Tests.Contracts;

public sealed class DecimalFormatTests
{
    private static string ToText(Int128 units, int scale)
    {
        Span<char> text = stackalloc char[DecimalFormat.MaxLength(scale)];
        return new string(text[..DecimalFormat.Write(units, scale, text)]);
    }

    [Theory]
    [InlineData("0", 8, "0")]
    [InlineData("1", 8, "0.00000001")]
    [InlineData("-1", 8, "-0.00000001")]
    [InlineData("826932000000", 8, "8269.32")]
    [InlineData("100000000", 8, "1")]
    [InlineData("-250000000", 8, "-2.5")]
    [InlineData("12", 0, "12")]
    [InlineData("82693200000000000000", 16, "8269.32")]
    [InlineData("170141183460469231731687303715884105727", 16, "17014118346046923173168.7303715884105727")]
    [InlineData("-170141183460469231731687303715884105728", 16, "-17014118346046923173168.7303715884105728")]
    [InlineData("-170141183460469231731687303715884105728", 39, "-0.170141183460469231731687303715884105728")]
    public void Units_at_a_scale_are_their_exact_decimal_text(string units, int scale, string text) =>
        ToText(Int128.Parse(units, CultureInfo.InvariantCulture), scale).ShouldBe(text);

    [Fact]
    public void Random_units_read_back_as_the_same_number()
    {
        var random = new Random(20261206);
        for (var i = 0; i < 10_000; i++)
        {
            var units = new Int128((ulong)random.NextInt64() >> random.Next(64), (ulong)random.NextInt64());
            units = random.Next(2) == 0 ? units : -units;
            var scale = random.Next(0, 20);

            var text = ToText(units, scale);

            Reference(units, scale).ShouldBe(text, $"units {units} at scale {scale}");
        }
    }

    /// <summary>The same number by BigInteger arithmetic: whole part, then the fraction without trailing zeros.</summary>
    private static string Reference(Int128 units, int scale)
    {
        var value = (BigInteger)units;
        var power = BigInteger.Pow(10, scale);
        var whole = BigInteger.DivRem(BigInteger.Abs(value), power, out var remainder);
        var fraction = scale == 0 ? "" : remainder.ToString(CultureInfo.InvariantCulture).PadLeft(scale, '0').TrimEnd('0');
        return (value.Sign < 0 ? "-" : "") + whole.ToString(CultureInfo.InvariantCulture) + (fraction.Length > 0 ? "." + fraction : "");
    }
}
