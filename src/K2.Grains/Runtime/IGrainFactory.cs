namespace K2.Grains.Runtime;

/// <summary>Hands out references to grains. A reference is cheap and activates nothing until it is called.</summary>
public interface IGrainFactory
{
    TGrainInterface GetGrain<TGrainInterface>(string key)
        where TGrainInterface : IGrainWithStringKey;
}
