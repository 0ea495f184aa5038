using Tessera.Policy.Errors;
using Tessera.Server.Hosting;

try
{
    await using var app = await TesseraApp.CreateAsync(args);
    await app.RunAsync();
    return 0;
}
catch (TesseraConfigurationException exception)
{
    await Console.Error.WriteLineAsync(exception.Message);
    return 2;
}
