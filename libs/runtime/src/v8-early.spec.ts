import v8 from 'node:v8';

describe('v8-early', () => {
  const saved = process.env.V8_ALLOCATION_SITE_PRETENURING;
  afterEach(() => {
    jest.restoreAllMocks();
    if (saved === undefined) delete process.env.V8_ALLOCATION_SITE_PRETENURING;
    else process.env.V8_ALLOCATION_SITE_PRETENURING = saved;
  });

  /** The flags the module gives V8 when it loads with the variable set to `value`. */
  function flagsOnLoad(value: string | undefined): string[] {
    const set = jest.spyOn(v8, 'setFlagsFromString').mockImplementation(() => undefined);
    if (value === undefined) delete process.env.V8_ALLOCATION_SITE_PRETENURING;
    else process.env.V8_ALLOCATION_SITE_PRETENURING = value;
    jest.isolateModules(() => jest.requireActual('./v8-early'));
    const flags = set.mock.calls.map(([flag]) => flag);
    set.mockRestore();
    return flags;
  }

  it('should switch pretenuring off as it loads, unless the environment says exactly true', () => {
    expect(flagsOnLoad(undefined)).toEqual(['--no-allocation-site-pretenuring']);
    expect(flagsOnLoad('false')).toEqual(['--no-allocation-site-pretenuring']);
    expect(flagsOnLoad('true')).toEqual([]);
  });
});
