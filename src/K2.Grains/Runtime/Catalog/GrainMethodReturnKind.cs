namespace K2.Grains.Runtime;

internal enum GrainMethodReturnKind
{
    Task,
    TaskOfResult,
    ValueTask,
    ValueTaskOfResult,
}
