using System.ComponentModel.DataAnnotations;

namespace MedTechTracker.Storage.AzureTables;

/// <summary>Store:AzureTables:* settings.</summary>
public sealed class AzureTablesStoreOptions : IValidatableObject
{
    public const string SectionName = "Store:AzureTables";

    /// <summary>A storage connection string (account key or SAS; "UseDevelopmentStorage=true" for Azurite). Either this or <see cref="Endpoint"/>.</summary>
    public string? ConnectionString { get; set; }

    /// <summary>https://&lt;account&gt;.table.core.windows.net for Entra ID (DefaultAzureCredential; role Storage Table Data Contributor).</summary>
    public string? Endpoint { get; set; }

    /// <summary>Prefix of the two table names (&lt;prefix&gt;projects, &lt;prefix&gt;backfills): letters and digits.</summary>
    [Required]
    [RegularExpression("^[A-Za-z][A-Za-z0-9]{0,40}$", ErrorMessage = "Store:AzureTables:TablePrefix must start with a letter and hold only letters and digits.")]
    public string TablePrefix { get; set; } = "mtc";

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        var hasConnectionString = !string.IsNullOrWhiteSpace(ConnectionString);
        var hasEndpoint = !string.IsNullOrWhiteSpace(Endpoint);
        if (hasConnectionString == hasEndpoint)
        {
            yield return new ValidationResult(
                "Set exactly one of Store:AzureTables:ConnectionString or Store:AzureTables:Endpoint.",
                [nameof(ConnectionString), nameof(Endpoint)]);
        }
        else if (hasEndpoint && (!Uri.TryCreate(Endpoint, UriKind.Absolute, out var uri) || uri.Scheme is not ("https" or "http")))
        {
            yield return new ValidationResult("Store:AzureTables:Endpoint must be an https:// URI.", [nameof(Endpoint)]);
        }
    }
}
