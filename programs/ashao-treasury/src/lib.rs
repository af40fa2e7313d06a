use anchor_lang::prelude::*;

declare_id!("CePT2CzQTddcwu6Y3bANh2rKLvHmeGhnBphf5P6wLhAs");

#[program]
pub mod ashao_treasury {
    use super::*;
    pub fn initialize(_ctx: Context<Initialize>) -> Result<()> {
        Ok(())
    }
}

#[derive(Accounts)]
pub struct Initialize {}
