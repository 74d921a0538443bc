import { defineCollection } from 'astro:content';
import { catalogLoader } from './lib/catalog/astro-loader.ts';

export const collections = {
  apis: defineCollection({ loader: catalogLoader('apis') }),
  plans: defineCollection({ loader: catalogLoader('plans') }),
  bundles: defineCollection({ loader: catalogLoader('bundles') }),
  items: defineCollection({ loader: catalogLoader('items') }),
  portals: defineCollection({ loader: catalogLoader('portals') }),
  guides: defineCollection({ loader: catalogLoader('guides') }),
};
