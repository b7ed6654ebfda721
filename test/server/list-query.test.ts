import { describe, expect, it } from 'vitest';
import { listFilterFromQuery } from '../../packages/server/src/list-query.js';

describe('listFilterFromQuery', () => {
  it('lists the caller workspace when there is no query', () => {
    expect(listFilterFromQuery(undefined, 'ws')).toEqual({ workspace: 'ws' });
    expect(listFilterFromQuery(null, 'ws')).toEqual({ workspace: 'ws' });
    expect(listFilterFromQuery('', 'ws')).toEqual({ workspace: 'ws' });
  });

  it('reads a bare word as a workspace, "*" included', () => {
    expect(listFilterFromQuery('other', 'ws')).toEqual({ workspace: 'other' });
    expect(listFilterFromQuery('*', 'ws')).toEqual({ workspace: '*' });
  });

  it('reads workspace/service, client:service and workspace/client:service', () => {
    expect(listFilterFromQuery('other/svc', 'ws')).toEqual({ workspace: 'other', serviceId: 'svc' });
    expect(listFilterFromQuery('cli:svc', 'ws')).toEqual({ workspace: 'ws', clientId: 'cli', serviceId: 'svc' });
    expect(listFilterFromQuery('other/cli:svc', 'ws')).toEqual({
      workspace: 'other',
      clientId: 'cli',
      serviceId: 'svc',
    });
  });

  it('reads an app id and treats empty parts as wildcards', () => {
    expect(listFilterFromQuery('cli:svc@app', 'ws')).toEqual({
      workspace: 'ws',
      clientId: 'cli',
      serviceId: 'svc',
      appId: 'app',
    });
    expect(listFilterFromQuery(':svc', 'ws')).toEqual({ workspace: 'ws', clientId: '*', serviceId: 'svc' });
    expect(listFilterFromQuery('cli:svc@', 'ws')).toEqual({
      workspace: 'ws',
      clientId: 'cli',
      serviceId: 'svc',
      appId: '*',
    });
    expect(listFilterFromQuery('other/', 'ws')).toEqual({ workspace: 'other' });
    expect(listFilterFromQuery('cli:', 'ws')).toEqual({ workspace: 'ws', clientId: 'cli' });
  });

  it('maps the dict keys onto filter fields, the workspace defaulting to the caller', () => {
    expect(listFilterFromQuery({}, 'ws')).toEqual({ workspace: 'ws' });
    expect(
      listFilterFromQuery(
        { workspace: 'other', client_id: 'c', service_id: 's', type: 't', visibility: 'public', app_id: 'a' },
        'ws',
      ),
    ).toEqual({ workspace: 'other', clientId: 'c', serviceId: 's', type: 't', visibility: 'public', appId: 'a' });
    expect(listFilterFromQuery({ id: 's' }, 'ws')).toEqual({ workspace: 'ws', serviceId: 's' });
    expect(listFilterFromQuery({ workspace: '*', type: '*' }, 'ws')).toEqual({ workspace: '*', type: '*' });
  });

  it('skips dict values that are null or undefined', () => {
    expect(listFilterFromQuery({ workspace: null, client_id: undefined, type: 'x' }, 'ws')).toEqual({
      workspace: 'ws',
      type: 'x',
    });
  });

  it('rejects an unknown dict key and names the allowed ones', () => {
    const attempt = () => listFilterFromQuery({ colour: 'red' }, 'ws');
    expect(attempt).toThrow(
      'unknown list_services filter "colour": expected "workspace", "client_id", "service_id", "id", "type", "visibility", "app_id"',
    );
    expect(attempt).toThrow(expect.objectContaining({ name: 'MycelError', code: 'BAD_MESSAGE' }));
  });

  it('rejects a dict value that is not a string', () => {
    expect(() => listFilterFromQuery({ workspace: 5 }, 'ws')).toThrow('list_services filter "workspace" must be a string');
    expect(() => listFilterFromQuery({ type: ['a'] }, 'ws')).toThrow('list_services filter "type" must be a string');
  });

  it('rejects a query that is neither a string nor an object', () => {
    for (const bad of [42, true, ['ws']]) {
      expect(() => listFilterFromQuery(bad as never, 'ws')).toThrow('list_services query must be a string or an object');
    }
  });
});
