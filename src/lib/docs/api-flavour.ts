import type { ApiFlavour } from '../catalog/model.ts';

/** A short label for the catalog card: what the API is when it is not plain REST. */
export function apiFlavourLabel(flavour: ApiFlavour): string {
  return flavour.kind === 'ai' ? 'AI gateway API' : 'MCP server';
}

/** What an AI or MCP API is, in words, for its page: such APIs often have no OpenAPI operations at all. */
export function describeApiFlavour(flavour: ApiFlavour): string {
  if (flavour.kind === 'ai') {
    return `An AI gateway API: Traefik Hub forwards its calls to ${flavour.detail ?? 'a language model provider'} (${flavour.resource}), keeping the provider's credentials on the gateway. Send the requests the provider's API documents, with your portal credentials.`;
  }
  return `An MCP server (Model Context Protocol): AI agents connect to it to list and call its tools, through ${flavour.resource}. Point your MCP client at this API's URL.`;
}
