namespace K2.Simulator.Control;

/// <summary>How many connections a drop fault cut.</summary>
internal sealed record DropResult(string Exchange, int Dropped);
