/**
 * Where the try-it relay answers (src/pages/relay.ts). Browser code imports this too (the Try it
 * panel, the Scalar and Swagger UI pages), so it stays a module of its own, free of Node imports.
 */
export const RELAY_PATH = '/relay';

/**
 * A page may not set a Cookie header, so a console sends the cookies meant for the API in this
 * header instead (Scalar's name for it, which the Try it panel uses too); the relay sends them on
 * as Cookie. The portal's own cookies never leave the portal.
 */
export const RELAY_COOKIE_HEADER = 'x-scalar-cookie';
