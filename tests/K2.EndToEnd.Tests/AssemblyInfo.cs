// Each test runs whole K2 processes (chDB, grains, sessions): one at a time keeps a 2-core machine's timing honest.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
