using System.Text;
using K2.Storage.Iceberg.Metadata;

namespace K2.Storage.Tests.Iceberg.Metadata;

public sealed class MetadataFileNamesTests
{
    [Fact]
    public void Files_are_named_by_version_under_metadata_with_a_hint_of_bare_digits()
    {
        MetadataFileNames.MetadataLocation("file:///wh/cold/t/", 12).ShouldBe("file:///wh/cold/t/metadata/v12.metadata.json");
        MetadataFileNames.VersionHintLocation("s3://b/wh/cold/t").ShouldBe("s3://b/wh/cold/t/metadata/version-hint.text");
        Encoding.ASCII.GetString(MetadataFileNames.VersionHint(12)).ShouldBe("12");
        Should.Throw<ArgumentOutOfRangeException>(() => MetadataFileNames.MetadataFile(0));
    }

    [Fact]
    public void An_attempt_names_its_own_file_of_a_version_and_the_hint_names_that_file()
    {
        var attempt = Guid.Parse("6f1a9c1e-1b0e-4f0e-9a57-0a4c2f1d2b33");

        var name = MetadataFileNames.MetadataFile(7, attempt);

        name.ShouldBe("00007-6f1a9c1e-1b0e-4f0e-9a57-0a4c2f1d2b33.metadata.json");
        name.ShouldStartWith(MetadataFileNames.AttemptPrefix(7));
        MetadataFileNames.MetadataFile(123456, attempt).ShouldStartWith(MetadataFileNames.AttemptPrefix(123456));
        MetadataFileNames.AttemptPrefix(123456).ShouldBe("123456-");
        MetadataFileNames.VersionOf(name).ShouldBe(7);
        MetadataFileNames.MetadataFile(8, attempt).ShouldNotStartWith(MetadataFileNames.AttemptPrefix(7));
        Encoding.ASCII.GetString(MetadataFileNames.VersionHintFor($"s3://b/t/metadata/{name}")).ShouldBe("00007-6f1a9c1e-1b0e-4f0e-9a57-0a4c2f1d2b33");
        Encoding.ASCII.GetString(MetadataFileNames.VersionHintFor("/wh/t/metadata/v12.metadata.json")).ShouldBe("12");
        Should.Throw<ArgumentException>(() => MetadataFileNames.VersionHintFor("/wh/t/metadata/version-hint.text")).Message.ShouldContain("'version-hint.text'");
        Should.Throw<ArgumentOutOfRangeException>(() => MetadataFileNames.MetadataFile(0, attempt));
    }

    [Theory]
    [InlineData("v1.metadata.json", 1)]
    [InlineData("s3://b/t/metadata/v10.metadata.json", 10)]
    [InlineData("00007-6f1a9c1e-1b0e-4f0e-9a57-0a4c2f1d2b33.metadata.json", 7)]
    [InlineData("6f1a9c1e-1b0e-4f0e-9a57-0a4c2f1d2b33.metadata.json", null)]
    [InlineData("v1.metadata.json.tmp", null)]
    [InlineData("version-hint.text", null)]
    [InlineData("vx.metadata.json", null)]
    public void The_version_is_read_from_a_name_as_ClickHouse_reads_it(string name, int? expected)
    {
        MetadataFileNames.VersionOf(name).ShouldBe(expected);
    }

    [Fact]
    public void A_hint_from_another_tool_may_end_in_a_newline_but_must_be_a_number()
    {
        MetadataFileNames.ReadVersionHint("3\n"u8).ShouldBe(3);
        Should.Throw<IcebergMetadataException>(() => MetadataFileNames.ReadVersionHint("v3.metadata.json"u8)).Message.ShouldContain("'v3.metadata.json'");
    }
}
