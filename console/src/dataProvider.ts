import { fetchUtils, type DataProvider } from 'react-admin';
import simpleRestProvider from 'ra-data-simple-rest';
import { api } from './api.ts';

/** ra-data-simple-rest over /api, through the session cookie and CSRF header of api.ts. */
const httpClient = async (url: string, options: fetchUtils.Options = {}) => {
  const path = url.replace(window.location.origin, '');
  const body = typeof options.body === 'string' ? JSON.parse(options.body) : undefined;
  const r = await api(path, { method: options.method ?? 'GET', body });
  return { status: r.status, headers: r.headers, body: JSON.stringify(r.json), json: r.json };
};

const rest = simpleRestProvider('/api', httpClient);

/** Console resources that are views of an API resource: drivers and passengers are people. */
const views: Record<string, { resource: string; filter: Record<string, unknown> }> = {
  drivers: { resource: 'people', filter: { isDriver: true } },
  passengers: { resource: 'people', filter: { isPassenger: true } },
};
const target = (resource: string) => views[resource]?.resource ?? resource;

export const dataProvider: DataProvider = {
  getList: (resource, params) =>
    rest.getList(target(resource), { ...params, filter: { ...params.filter, ...views[resource]?.filter } }),
  getOne: (resource, params) => rest.getOne(target(resource), params),
  getMany: (resource, params) => rest.getMany(target(resource), params),
  getManyReference: (resource, params) =>
    rest.getManyReference(target(resource), { ...params, filter: { ...params.filter, ...views[resource]?.filter } }),
  create: (resource, params) =>
    rest.create(target(resource), { ...params, data: { ...views[resource]?.filter, ...params.data } }),
  update: (resource, params) => rest.update(target(resource), params),
  updateMany: (resource, params) => rest.updateMany(target(resource), params),
  delete: (resource, params) => rest.delete(target(resource), params),
  deleteMany: (resource, params) => rest.deleteMany(target(resource), params),
};
