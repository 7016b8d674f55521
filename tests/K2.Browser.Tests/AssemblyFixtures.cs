using K2.Browser.Tests.Support;

[assembly: AssemblyFixture(typeof(HeadlessChromium))]
[assembly: AssemblyFixture(typeof(ApiServer))]
