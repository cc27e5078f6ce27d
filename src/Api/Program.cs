using PayMyInvoice.Api;
using PayMyInvoice.Infrastructure.Secrets;
using PayMyInvoice.Lambda;

// Only functions given a *_SSM_PARAMETER (those that mint or show pay links) make the one SSM call at init.
return await LambdaHost.RunAsync(ApiFunctions.Create(await SsmSecrets.FromProcessAsync().ConfigureAwait(false))).ConfigureAwait(false);
