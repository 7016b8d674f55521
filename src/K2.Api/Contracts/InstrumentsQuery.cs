using System.ComponentModel;
using K2.Api.Parameters;
using Microsoft.AspNetCore.Mvc;

namespace K2.Api.Contracts;

/// <summary>The query string of <c>GET /v1/instruments</c>.</summary>
public sealed record InstrumentsQuery(
    [property: FromQuery(Name = "exchange"), ExchangeName, Description("Only this exchange's instruments; all when absent.")]
    string? Exchange);
