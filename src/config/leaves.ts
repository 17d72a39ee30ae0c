import { z } from 'zod';

// Leaves accept their native type (from a config file) or a string (from the environment).
export const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);
export const num = (min: number, max: number) => z.coerce.number().min(min).max(max);
export const bool = z.union([z.boolean(), z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1')]);
export const list = z.union([
  z.array(z.string().min(1)),
  z.string().transform((v) => v.split(',').map((s) => s.trim()).filter((s) => s.length > 0)),
]);
export const url = z.url();
