using K2.Silo.Hosting;

namespace K2.Silo.Tests.Hosting;

public sealed class InstrumentsFileTests
{
    [Fact]
    public void A_given_path_wins()
    {
        InstrumentsFile.Resolve("/somewhere/else.yaml").ShouldBe("/somewhere/else.yaml");
    }

    [Fact]
    public void The_registry_ships_next_to_the_binary_so_k2_finds_one_from_any_directory()
    {
        File.Exists(Path.Combine(AppContext.BaseDirectory, InstrumentsFile.RelativePath)).ShouldBeTrue();
    }
}
