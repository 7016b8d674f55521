using K2.Api.Tests.Support;

[assembly: AssemblyFixture(typeof(ApiFactory))]
