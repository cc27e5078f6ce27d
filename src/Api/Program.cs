using PayMyInvoice.Api;
using PayMyInvoice.Lambda;

return await LambdaHost.RunAsync(ApiFunctions.Create(Environment.GetEnvironmentVariable)).ConfigureAwait(false);
