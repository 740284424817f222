using System.Diagnostics.CodeAnalysis;

namespace MedTechTracker.Queue.Amqp;

/// <summary>Endpoint=sb://ns.servicebus.windows.net/;SharedAccessKeyName=…;SharedAccessKey=…[;EntityPath=…][;UseDevelopmentEmulator=true].</summary>
internal sealed record ServiceBusConnectionString(string Host, int? Port, string KeyName, string Key, string? EntityPath, bool UseDevelopmentEmulator)
{
    public static bool TryParse(string value, [NotNullWhen(true)] out ServiceBusConnectionString? result, [NotNullWhen(false)] out string? error)
    {
        result = null;
        var parts = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var segment in value.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var eq = segment.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0)
            {
                error = "every part must be Key=Value";
                return false;
            }

            // Keys are base64 and may end in '=': only the first '=' separates.
            parts[segment[..eq]] = segment[(eq + 1)..];
        }

        if (!parts.TryGetValue("Endpoint", out var endpoint) || !Uri.TryCreate(endpoint, UriKind.Absolute, out var uri))
        {
            error = "Endpoint=sb://<namespace>.servicebus.windows.net/ is missing or not a URI";
            return false;
        }

        if (!parts.TryGetValue("SharedAccessKeyName", out var keyName) || !parts.TryGetValue("SharedAccessKey", out var key)
            || keyName.Length == 0 || key.Length == 0)
        {
            error = "SharedAccessKeyName and SharedAccessKey are required (for Entra ID use Queue:ServiceBus:Namespace instead)";
            return false;
        }

        parts.TryGetValue("EntityPath", out var entityPath);
        var emulator = parts.TryGetValue("UseDevelopmentEmulator", out var flag) && bool.TryParse(flag, out var on) && on;
        result = new ServiceBusConnectionString(uri.Host, uri.IsDefaultPort || uri.Port <= 0 ? null : uri.Port, keyName, key, string.IsNullOrEmpty(entityPath) ? null : entityPath, emulator);
        error = null;
        return true;
    }
}
