using K2.Storage.ClickHouse;

namespace K2.Storage.Tests.ClickHouse;

public sealed class ClickHouseExceptionTests
{
    [Theory]
    [InlineData("Code: 60. DB::Exception: Unknown table expression identifier", 60)]
    [InlineData("Code:62. DB::Exception: Syntax error", 62)]
    [InlineData("Code: 210. DB::NetException: Connection refused", 210)]
    public void The_error_code_is_read_from_the_message(string message, int code)
    {
        new ClickHouseException(message).ErrorCode.ShouldBe(code);
    }

    [Fact]
    public void A_message_without_a_code_has_none()
    {
        new ClickHouseException("chDB returned no result").ErrorCode.ShouldBeNull();
    }

    [Fact]
    public void A_code_given_explicitly_wins_and_the_cause_is_kept()
    {
        var cause = new IOException("socket closed");

        var error = new ClickHouseException("Code: 60. DB::Exception: x", errorCode: 81, inner: cause);

        error.ErrorCode.ShouldBe(81);
        error.InnerException.ShouldBeSameAs(cause);
    }
}
